/**
 * The local stack as the end-to-end tests use it: its own project on the shared emulators, real historical
 * prices, logs captured in memory, and subscriptions collecting alerts.margin.v1 and the dead-letter topic.
 */
import type { Message, Subscription } from '@google-cloud/pubsub';
import {
  DEAD_LETTER_INSPECT,
  startLocalStack,
  type LocalStack,
  type LocalStackOptions,
} from '../../local-stack/stack';
import { CapturingSink } from './capturing-sink';
import { StructuredLogger } from '../../shared/platform/logger';
import { collectMessages, emulatorHosts, historicalPrices, isolatedProjectId } from './env';

export interface TestStack {
  stack: LocalStack;
  sink: CapturingSink;
  /** Every alerts.margin.v1 message so far (acknowledged). */
  alerts: Message[];
  /** Every dead-letter.v1 message so far (acknowledged). */
  deadLetters: Message[];
  stop(): Promise<void>;
}

export async function startTestStack(
  label: string,
  options: Pick<LocalStackOptions, 'clock'> & Partial<Omit<LocalStackOptions, 'projectId' | 'logger'>>,
): Promise<TestStack> {
  const projectId = isolatedProjectId(label);
  const sink = new CapturingSink();
  const stack = await startLocalStack({
    projectId,
    ...emulatorHosts(),
    prices: historicalPrices(),
    logger: new StructuredLogger({ sink: sink.sink, projectId }),
    ...options,
  });
  const [alertSub] = await stack.pubsub.topic('alerts.margin.v1').createSubscription(`${label}-alerts`);
  const deadLetterSub = stack.pubsub.subscription(DEAD_LETTER_INSPECT);
  const listening: Subscription[] = [alertSub, deadLetterSub];
  return {
    stack,
    sink,
    alerts: collectMessages(alertSub),
    deadLetters: collectMessages(deadLetterSub),
    stop: async () => {
      for (const sub of listening) await sub.close();
      await stack.stop();
    },
  };
}
