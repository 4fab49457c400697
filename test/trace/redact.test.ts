import { describe, expect, it } from 'vitest';
import { createRedactor, findSecrets, REDACTED, redact } from '../../src/trace/index.ts';

// Fake values with the real shapes; none of them is a live credential.
const chars = (n: number) => 'aB3xY9kQ7z'.repeat(Math.ceil(n / 10)).slice(0, n);
const PEM = [
  '-----BEGIN OPENSSH PRIVATE KEY-----',
  'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
  'QyNTUxOQAAACDfakefakefakefakefakefakefakefakefakefakefakeAAAAJjfakefake',
  '-----END OPENSSH PRIVATE KEY-----',
].join('\n');

const TOKENS: [string, string][] = [
  ['classic PAT', `ghp_${chars(36)}`],
  ['OAuth token', `gho_${chars(36)}`],
  ['user-to-server token', `ghu_${chars(36)}`],
  ['new-format installation token', `ghs_${chars(80)}`],
  ['refresh token', `ghr_${chars(76)}`],
  ['fine-grained PAT', `github_pat_${chars(82)}`],
  ['AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
  ['AWS session key id', 'ASIAIOSFODNN7EXAMPLE'],
  ['PEM private key', PEM],
  ['RSA PEM private key', PEM.replaceAll('OPENSSH', 'RSA')],
  ['Slack bot token', 'xoxb-1234567890-0987654321-abcdefGHIJKLmnop'],
  ['Slack user token', 'xoxp-1234567890-0987654321-abcdefGHIJKLmnop'],
  ['OpenAI key', `sk-proj-${chars(48)}`],
  ['plain sk key', `sk-${chars(20)}`],
];

describe('redact', () => {
  it.each(TOKENS)('removes a %s wherever it appears', (_name, token) => {
    for (const text of [token, `before ${token} after`, `TOKEN=${token}\n`, `"${token}"`]) {
      const out = redact(text);
      expect(out).not.toContain(token);
      expect(out).toContain(REDACTED);
      expect(findSecrets(text).length).toBeGreaterThan(0);
      expect(findSecrets(out)).toEqual([]);
    }
  });

  it('keeps the surrounding text', () => {
    expect(redact(`export GH=ghp_${chars(36)}; echo done`)).toBe(`export GH=${REDACTED}; echo done`);
    expect(redact(`x\n${PEM}\ny`)).toBe(`x\n${REDACTED}\ny`);
  });

  it('redacts a PEM block cut off before its END line', () => {
    const cut = PEM.slice(0, 80);
    expect(redact(`key:\n${cut}`)).toBe(`key:\n${REDACTED}`);
  });

  it('redacts header values and URL credentials but keeps their names', () => {
    expect(redact('> Authorization: token abc123def\n< HTTP/2 200')).toBe(
      `> Authorization: ${REDACTED}\n< HTTP/2 200`,
    );
    expect(redact('curl -H "authorization: Bearer eyJhbGciOi.x.y" https://api')).toBe(
      `curl -H "authorization: ${REDACTED}" https://api`,
    );
    expect(redact('sent Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc')).toBe(`sent Bearer ${REDACTED}`);
    expect(redact('https://x-access-token:v1.abcdef0123@github.com/o/r.git')).toBe(
      `https://x-access-token:${REDACTED}@github.com/o/r.git`,
    );
    expect(redact('postgres://app:hunter22@db:5432/x')).toBe(`postgres://app:${REDACTED}@db:5432/x`);
    expect(redact('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toBe(
      `aws_secret_access_key = ${REDACTED}`,
    );
  });

  it('removes configured secrets, their base64 (any alignment) and URL-encoded forms', () => {
    const secret = 'correct-horse-battery-staple';
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const texts = [
      `value ${secret} here`,
      `b64 ${b64(secret)}`,
      `basic ${b64(`x-access-token:${secret}`)}`,
      `basic ${b64(`u:${secret}`)}`,
      `basic ${b64(`ab:${secret}`)}`,
      `url ${encodeURIComponent('p@ss w/rd+long')}`,
    ];
    const r = createRedactor([secret, 'p@ss w/rd+long']);
    for (const text of texts) {
      expect(r.find(text).length, text).toBeGreaterThan(0);
      const out = r.redact(text);
      expect(out, text).toContain(REDACTED);
      expect(r.find(out), out).toEqual([]);
    }
    expect(r.redact(`a ${secret} b ${secret}`)).toBe(`a ${REDACTED} b ${REDACTED}`);
  });

  it('ignores secrets shorter than 4 characters', () => {
    expect(redact('abc is a word', ['abc'])).toBe('abc is a word');
  });

  it('leaves ordinary text alone', () => {
    const text = [
      'disk-usage-report-for-everything and task-runner-configuration-file',
      'GET http://localhost:8080/api/v1 returned 200',
      'the ghp_ prefix marks a token; see https://docs.example/auth',
      'AKIA is the prefix of an access key id',
    ].join('\n');
    expect(redact(text)).toBe(text);
    expect(findSecrets(text)).toEqual([]);
  });

  it('reports the kind and offset of what it finds, never the value', () => {
    const found = findSecrets(`ok AKIAIOSFODNN7EXAMPLE`);
    expect(found).toEqual([{ kind: 'aws-access-key', index: 3 }]);
  });

  it('is fast on megabytes of output, including pathological input', () => {
    const token = `ghs_${chars(80)}`;
    const line = 'npm ERR! some ordinary build output with paths /a/b/c and words\n';
    const big = `${line.repeat(40_000)}${token}\n${line.repeat(40_000)}`;
    const worst = ['a'.repeat(1_000_000), 'authorization:'.repeat(50_000), 'http://u:'.repeat(50_000)].join(
      ' ',
    );
    const r = createRedactor(['some-configured-secret', 'another-configured-secret']);
    const started = performance.now();
    const out = r.redact(big);
    r.redact(worst);
    r.find(big);
    const ms = performance.now() - started;
    expect(out).not.toContain(token);
    expect(big.length).toBeGreaterThan(5_000_000);
    expect(ms).toBeLessThan(3_000);
  });
});
