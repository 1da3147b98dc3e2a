/**
 * What the provider calls alone cost on this machine: each of the project's senders (the real @sendgrid/mail
 * and twilio clients, the signed webhook sender) calling its local provider server in the same process, at
 * the notifications bench's 80 calls in flight, with no store, de-duplication, rate limit or log (e-mails sent
 * together share a request, as the sender does; webhooks keep their connection per checked address). A
 * notification cannot go faster than its provider call, so these figures bound
 * notifications.reference_memory_store.throughput_per_s from above: whatever the rest of the path costs
 * comes on top of them. The same senders are measured again with the servers in another process, so the
 * figure is the clients' own and not the local servers' share of the thread.
 */
import { SendGridEmailSender } from '../shared/adapters/notifications/sendgrid-email-sender';
import { TwilioSmsSender } from '../shared/adapters/notifications/twilio-sms-sender';
import { WebhookSender } from '../shared/adapters/notifications/webhook-sender';
import { contentId } from '../shared/domain/ids';
import type { Destination } from '../shared/domain/notifications/delivery';
import { generateWebhookSecret } from '../shared/domain/notifications/standard-webhooks';
import type { Dispatch } from '../shared/domain/notifications/types';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../shared/platform/clocks';
import { FaultPlan, startSendGridServer } from '../local-stack/providers/sendgrid-server';
import { startTwilioServer } from '../local-stack/providers/twilio-server';
import { startWebhookReceiver } from '../local-stack/providers/webhook-receiver';
import type { NotificationSender } from '../shared/ports/notification-sender';
import type { BenchFigure } from './areas';
import { marginCallAlert } from './margin-call-alert';

const CALLS = 3_000;
const WARMUP_CALLS = 500;
const IN_FLIGHT = 80;
const TWILIO = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'bench', from: '+15005550006' };

function dispatchOf(i: number, channel: Dispatch['channel']): Dispatch {
  const eventId = contentId('me', 'provider-floor', i);
  const asOf = '2020-03-12T23:59:00Z';
  return {
    dispatchId: contentId('nd', eventId, channel),
    alertId: eventId,
    source: 'alerts.margin.v1',
    kind: 'margin.MARGIN_CALL',
    subject: `floor-${i}`,
    severity: 'CRITICAL',
    escalation: false,
    recipientId: `owner-${i}`,
    channel,
    alert: marginCallAlert({ eventId, portfolioId: `floor-${i}`, tickId: 'tick-20200312T2359Z', asOf }),
    createdAt: asOf,
  };
}

interface SenderRate {
  perSecond: number;
  /** This process's CPU (every thread) per accepted call during the measured sends. */
  cpuMsPerCall: number;
}

/** Calls per second accepted by the provider, CALLS sends at IN_FLIGHT, after a warm-up. */
async function callsPerSecond(
  sender: NotificationSender,
  channel: Dispatch['channel'],
  to: Destination,
): Promise<SenderRate> {
  let next = 0;
  const run = async (count: number) => {
    const end = next + count;
    let accepted = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < end) {
          const r = await sender.send(dispatchOf(next++, channel), to);
          if (r.outcome === 'accepted') accepted++;
        }
      }),
    );
    if (accepted !== count) throw new Error(`${channel}: ${accepted}/${count} calls accepted`);
  };
  await run(WARMUP_CALLS);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(CALLS);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: CALLS / seconds, cpuMsPerCall: (cpu.user + cpu.system) / 1000 / CALLS };
}

/** The reference: a bare keep-alive POST to a bare server answering 202, node:http on both sides. */
async function bareHttpPerSecond(): Promise<SenderRate> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(202).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const body = JSON.stringify(dispatchOf(0, 'webhook'));
  const post = () =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  const sender: NotificationSender = {
    provider: 'webhook',
    send: async () => {
      const status = await post();
      if (status === 202) return { outcome: 'accepted', status, providerMessageId: null };
      return { outcome: 'retryable', status, code: null, detail: 'bare server refused' };
    },
  };
  try {
    return await callsPerSecond(sender, 'webhook', { channel: 'webhook', url: '', secret: '' });
  } finally {
    agent.destroy();
    await new Promise((r) => server.close(r));
  }
}

/** Where the senders call: the three local provider servers, and one webhook endpoint that knows `secret`. */
interface ProviderServers {
  sendgridUrl: string;
  twilioUrl: string;
  webhookUrl: string;
  close(): Promise<void>;
}

async function serversHere(secret: string, clock: ManualClock): Promise<ProviderServers> {
  const sendgrid = await startSendGridServer({ apiKey: 'SG.bench', faults: new FaultPlan() });
  const twilio = await startTwilioServer({ ...TWILIO, from: [TWILIO.from], faults: new FaultPlan() });
  const webhooks = await startWebhookReceiver({ secrets: {}, clock, faults: new FaultPlan() });
  return {
    sendgridUrl: sendgrid.url,
    twilioUrl: twilio.url,
    webhookUrl: webhooks.addEndpoint('floor', secret),
    close: async () => {
      await sendgrid.close();
      await twilio.close();
      await webhooks.close();
    },
  };
}

/** Set in the child that serves the providers for serversApart. */
const SERVE_ENV = 'PROVIDER_FLOOR_SERVE';

/** The same servers in a child process (this file again): the calls' CPU here is then the clients' alone. */
async function serversApart(secret: string): Promise<ProviderServers> {
  const child = fork(__filename, [], {
    execArgv: process.execArgv, // the TypeScript loader this process runs under
    env: { ...process.env, [SERVE_ENV]: '1' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Omit<ProviderServers, 'close'>>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Omit<ProviderServers, 'close'>));
    child.once('exit', (code) => reject(new Error(`provider servers exited with ${String(code)}`)));
    child.send({ secret });
  });
  const exited = once(child, 'exit');
  return {
    ...ready,
    close: async () => {
      child.disconnect(); // the child closes its servers and exits when its channel does
      await exited;
    },
  };
}

async function serveProviders(): Promise<void> {
  const [message] = (await once(process, 'message')) as [{ secret: string }];
  const clock = new ManualClock(new Date('2020-03-12T23:59:01Z'));
  const servers = await serversHere(message.secret, clock);
  const { close, ...urls } = servers;
  process.send?.(urls);
  process.once('disconnect', () => void close().then(() => process.exit(0)));
}

/** Each sender against `servers`, then one e-mail, SMS and webhook per alert (the mean time of the three). */
async function senderRates(servers: ProviderServers, secret: string, clock: ManualClock) {
  const email = await callsPerSecond(
    new SendGridEmailSender({
      apiKey: async () => 'SG.bench',
      from: 'alerts@bench.example',
      sandbox: false,
      baseUrl: `${servers.sendgridUrl}/`,
      timeoutMs: 10_000,
    }),
    'email',
    { channel: 'email', email: 'owner@bench.example' },
  );
  const sms = await callsPerSecond(
    new TwilioSmsSender({
      accountSid: TWILIO.accountSid,
      authToken: async () => TWILIO.authToken,
      from: TWILIO.from,
      baseUrl: servers.twilioUrl,
      timeoutMs: 10_000,
    }),
    'sms',
    { channel: 'sms', phone: '+447700900123' },
  );
  const webhook = await callsPerSecond(
    new WebhookSender({ clock, timeoutMs: 10_000, allowLoopback: true }),
    'webhook',
    { channel: 'webhook', url: servers.webhookUrl, secret },
  );
  const senders = [email, sms, webhook];
  return {
    email,
    sms,
    webhook,
    mixPerSecond: senders.length / senders.reduce((t, r) => t + 1 / r.perSecond, 0),
    mixCpuMsPerCall: senders.reduce((t, r) => t + r.cpuMsPerCall, 0) / senders.length,
  };
}

export async function runProviderFloor(): Promise<BenchFigure[]> {
  const clock = new ManualClock(new Date('2020-03-12T23:59:01Z'));
  const secret = generateWebhookSecret();
  const here = await serversHere(secret, clock);
  const together = await senderRates(here, secret, clock).finally(() => here.close());
  const bare = await bareHttpPerSecond();
  const apartServers = await serversApart(secret);
  const apart = await senderRates(apartServers, secret, clock).finally(() => apartServers.close());
  const round = (x: number) => Math.round(x);
  const ms = (x: number) => Math.round(x * 1000) / 1000;
  return [
    {
      name: 'notifications.provider_floor.sendgrid_per_s',
      value: round(together.email.perSecond),
      unit: 'calls/s',
    },
    {
      name: 'notifications.provider_floor.twilio_per_s',
      value: round(together.sms.perSecond),
      unit: 'calls/s',
    },
    {
      name: 'notifications.provider_floor.webhook_per_s',
      value: round(together.webhook.perSecond),
      unit: 'calls/s',
    },
    {
      name: 'notifications.provider_floor.bare_http_per_s',
      value: round(bare.perSecond),
      unit: 'calls/s: a bare node:http POST answered 202, client and server in one process (reference)',
    },
    {
      name: 'notifications.provider_floor.alert_mix_per_s',
      value: round(together.mixPerSecond),
      unit: 'calls/s with one e-mail, SMS and webhook per alert: the most the in-memory reference can reach',
    },
    {
      name: 'notifications.provider_floor.alert_mix_cpu_ms_per_call',
      value: ms(together.mixCpuMsPerCall),
      unit: 'ms of CPU per call, servers in the same process',
    },
    {
      name: 'notifications.provider_floor.servers_apart.alert_mix_per_s',
      value: round(apart.mixPerSecond),
      unit: 'calls/s, the same mix with the provider servers in another process',
    },
    {
      name: 'notifications.provider_floor.servers_apart.twilio_per_s',
      value: round(apart.sms.perSecond),
      unit: 'calls/s, servers in another process',
    },
    {
      name: 'notifications.provider_floor.servers_apart.cpu_ms_per_call',
      value: ms(apart.mixCpuMsPerCall),
      unit: 'ms of CPU per call in the calling process: the clients alone',
    },
    {
      name: 'notifications.provider_floor.servers_apart.twilio_cpu_ms_per_call',
      value: ms(apart.sms.cpuMsPerCall),
      unit: 'ms of CPU per SMS in the calling process: the twilio client alone',
    },
  ];
}

if (process.env[SERVE_ENV]) {
  void serveProviders();
} else if (require.main === module) {
  runProviderFloor()
    .then((rows) => {
      for (const r of rows) console.log(`${r.name}: ${r.value} ${r.unit}`);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
