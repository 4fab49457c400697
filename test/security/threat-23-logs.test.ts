import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/log.ts';

describe('THREAT #23: token leakage into logs', () => {
  it('token, apiKey, privateKey, webhookSecret and authorization fields are censored at any depth used', () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'debug',
      destination: { write: (s: string) => void lines.push(s) },
    });
    const ghs = `ghs_${'Zq8x'.repeat(10)}`;
    logger.info({ token: ghs, apiKey: 'sk-canary-key-0001' }, 'top');
    logger
      .child({ job: 1 })
      .warn({ auth: { token: ghs }, req: { headers: { authorization: `token ${ghs}` } } }, 'nested');
    logger.error(
      {
        config: {
          model: { apiKey: 'sk-canary-key-0001' },
          github: { privateKey: 'PEM-canary', webhookSecret: 'whsec-canary' },
        },
      },
      'config',
    );
    const out = lines.join('');
    expect(lines).toHaveLength(3);
    for (const s of [ghs, 'sk-canary-key-0001', 'PEM-canary', 'whsec-canary']) expect(out).not.toContain(s);
    expect(out).toContain('[REDACTED]');
  });
});
