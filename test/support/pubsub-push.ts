/** What a Pub/Sub push subscription hands the Functions Framework: a messagePublished CloudEvent. */
import type { CloudEvent } from '@google-cloud/functions-framework';
import type { MessagePublishedData } from '../../shared/platform/triggers/pubsub-handler';

let pushSeq = 0;

export function pubsubPush(
  payload: unknown,
  projectId: string,
  route: { topic: string; subscription: string; publishTime?: string; messageId?: string },
): CloudEvent<MessagePublishedData> {
  const messageId = route.messageId ?? String(7_000_000 + ++pushSeq);
  return {
    specversion: '1.0',
    id: messageId,
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: `//pubsub.googleapis.com/projects/${projectId}/topics/${route.topic}`,
    data: {
      message: {
        data: Buffer.from(JSON.stringify(payload)).toString('base64'),
        messageId,
        attributes: {},
        publishTime: route.publishTime ?? '2025-11-10T12:00:01Z',
      },
      subscription: `projects/${projectId}/subscriptions/${route.subscription}`,
    },
  } as CloudEvent<MessagePublishedData>;
}
