/** `/health`: JSON for load balancers and monitors; 503 while the database cannot answer. */
import { injectable } from 'tsyringe';
import type { RequestContext, RequestHandler } from '../dispatch/types';
import { isGatehouseError } from '../errors';

@injectable()
export class HealthHandler implements RequestHandler {
  matches(context: RequestContext): boolean {
    return context.pathInfo === '/health';
  }

  async handle(context: RequestContext): Promise<void> {
    let database: { status: string; reason?: string } = { status: 'ok' };
    try {
      await context.env.db.ping();
    } catch (error) {
      database = { status: 'unavailable', reason: isGatehouseError(error) ? error.message : 'database error' };
      context.log.warn({ reason: database.reason }, 'health check: database unavailable');
    }
    const healthy = database.status === 'ok';
    context.reply.code(healthy ? 200 : 503)
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(JSON.stringify({ status: healthy ? 'ok' : 'unavailable', process: 'up', database,
        uptimeSeconds: Math.round(process.uptime()) }));
  }
}
