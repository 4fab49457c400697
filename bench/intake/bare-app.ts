// The baseline for bench/intake: a Probot app that verifies the webhook and does nothing else, on
// node:http, the way `conjecture serve` mounts Probot. Prints "listening on URL".
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeMiddleware, Probot } from 'probot';

const probot = new Probot({
  appId: process.env.APP_ID,
  privateKey: process.env.PRIVATE_KEY,
  secret: process.env.WEBHOOK_SECRET,
  logLevel: 'warn',
});
const middleware = await createNodeMiddleware(
  (app) => {
    app.on(['issues.labeled', 'issue_comment.created'], async () => {});
  },
  { probot, webhooksPath: '/api/github/webhooks' },
);
const server = createServer((req, res) => void middleware(req, res, () => res.writeHead(404).end()));
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
