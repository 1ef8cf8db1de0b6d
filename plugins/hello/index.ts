/**
 * The smallest possible plugin: one request handler answering `/hello` with a plain greeting.
 * Disabled by default, as every built-in plugin is; enable it with
 * `[components] hello.* = enabled`. docs/plugins.md walks through it.
 */
import { inject, injectable } from 'tsyringe';
import { definePlugin } from '../../core/components/plugin';
import { ENVIRONMENT, REQUEST_HANDLER } from '../../core/components/tokens';
import { defineOption } from '../../core/config/options';
import type { Environment } from '../../core/env/types';
import type { RequestContext, RequestHandler } from '../../core/dispatch/types';

const greeting = defineOption({ section: 'hello', name: 'greeting', type: 'text', default: 'Hello',
  doc: 'The word /hello answers with, before the user name.' });

@injectable()
export class HelloHandler implements RequestHandler {
  constructor(@inject(ENVIRONMENT) private readonly env: Environment) {}

  matches(context: RequestContext): boolean {
    return context.pathInfo === '/hello';
  }

  handle(context: RequestContext): void {
    const word = this.env.config.option(greeting);
    context.reply.header('content-type', 'text/plain; charset=utf-8').send(`${word}, ${context.user}!\n`);
  }
}

export default definePlugin({
  name: 'hello',
  description: 'Answers /hello with a plain greeting',
  components: [{ name: 'HelloHandler', class: HelloHandler, provides: [REQUEST_HANDLER] }],
  options: [greeting],
});
