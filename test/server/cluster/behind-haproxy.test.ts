// #15: behind the real haproxy with deploy/three-node/haproxy.cfg (send-proxy-v2), a node's
// per-address cap counts each client's own address, not HAProxy's: clients from 127.0.0.2 fill their
// cap while one from 127.0.0.3 is still served (loopback holds all of 127/8 on Linux). HAProxy's health
// checks arrive as PROXY v2 LOCAL connections, served and logged at debug. The three node addresses of
// haproxy.env all name one in-process server here, so every connection meets the same cap.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { TestClient } from '../../helpers/client.js';
import { expectClosed } from '../../helpers/expect.js';
import { DEPLOY_DIR, HAPROXY_SKIP, readEnvFile, replaceKeys, startHaproxy } from '../../helpers/deployment.js';
import { LogCapture } from '../../helpers/log.js';
import { freePort, startServer } from '../../helpers/server.js';

const DEBUG = 20;
const CAP = 2;

test(
  '#15 behind HAProxy the per-address cap counts the client address; checks are LOCAL, logged at debug',
  { skip: HAPROXY_SKIP },
  async () => {
    const log = new LogCapture();
    const node = await startServer({
      proxyFrom: ['127.0.0.1'],
      limits: { maxPerAddress: CAP, loopbackOneHost: 0 },
      log: log.logger,
    });
    const lbPort = await freePort();
    const env = replaceKeys(
      readEnvFile(path.join(DEPLOY_DIR, 'haproxy.env')),
      {
        CLASSCHAT_LB_BIND: `127.0.0.1:${lbPort}`,
        CLASSCHAT_NODE1: `127.0.0.1:${node.port}`,
        CLASSCHAT_NODE2: `127.0.0.1:${node.port}`,
        CLASSCHAT_NODE3: `127.0.0.1:${node.port}`,
      },
      'haproxy.env',
    );
    const haproxy = await startHaproxy(path.join(DEPLOY_DIR, 'haproxy.cfg'), env, lbPort);
    // From here on only this test's clients connect (startHaproxy's own ping came from 127.0.0.1).
    const mark = log.entries.length;
    const clients: TestClient[] = [];
    try {
      for (let i = 0; i < CAP; i++) {
        const client = await TestClient.connectFrom(lbPort, '127.0.0.2', `two-${i}`);
        clients.push(client);
        await client.ok({ status: 'ping' });
      }
      const over = await TestClient.connectFrom(lbPort, '127.0.0.2', 'two-over');
      const notice = await over.waitFor((m) => m.code === 'too_many_connections', 5000, 'the refusal');
      assert.match(notice.text, /from 127\.0\.0\.2 /, 'counted as the client, not as HAProxy (127.0.0.1)');
      await expectClosed(over);
      const three = await TestClient.connectFrom(lbPort, '127.0.0.3', 'three');
      clients.push(three);
      await three.ok({ status: 'ping' }); // another client has its own cap
      await log.waitFor(
        (e) => e.msg === 'connection opened' && /^127\.0\.0\.3:\d+$/.test(String(e.remote)),
        'the log names the client',
      );
      // HAProxy checks every 2 s: wait for one to come and go.
      const check = await log.waitFor(
        (e) => e.msg === 'connection closed' && e.level === DEBUG,
        'a health check closed, at debug',
        6000,
      );
      assert.ok(check);
      const opened = log.entries.slice(mark).filter((e) => e.msg === 'connection opened');
      assert.deepEqual(
        opened.filter((e) => e.level !== DEBUG).map((e) => String(e.remote).split(':')[0]),
        ['127.0.0.2', '127.0.0.2', '127.0.0.3'],
        `only the clients at info; HAProxy's checks at debug: ${JSON.stringify(opened)}`,
      );
      assert.ok(
        log.entries.some(
          (e) => e.msg === 'connection opened' && e.level === DEBUG && String(e.remote).startsWith('127.0.0.1:'),
        ),
        'a check opened, as HAProxy itself, at debug',
      );
      assert.equal(
        log.entries.filter((e) => e.msg === 'connection from a proxy closed').length,
        0,
        'every connection from HAProxy had its header',
      );
    } finally {
      for (const client of clients) await client.close();
      await haproxy.stop();
      await node.stop();
    }
  },
);
