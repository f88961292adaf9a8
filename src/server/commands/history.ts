// {"status":"history","receiver":"<room|user|everyone>","before":<seq>,"after":<seq>,"limit":<n>}: past messages.
import { DEFAULT_HISTORY_LIMIT } from '../../protocol/requests.js';
import { history as readHistory } from '../chat/lookups.js';
import { command } from './command.js';

export const history = command({
  status: 'history',
  needsName: true,
  async handle(ctx, request) {
    const limit = request.limit ?? DEFAULT_HISTORY_LIMIT;
    const page = await readHistory(ctx.chat, ctx.session, request.receiver, {
      before: request.before,
      after: request.after,
      limit,
    });
    ctx.ok({ receiver: page.receiver, messages: page.messages, more: page.more });
  },
});
