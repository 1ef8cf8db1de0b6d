/**
 * A small loopback load generator for the benchmarks: a fixed number of keep-alive connections,
 * each sending one request after another until a time bound or a request count is reached.
 * No dependency beyond node:http, so every benchmark measures our server, not a client library.
 *
 * @example
 *   const result = await measure({ url: 'http://127.0.0.1:8000/', connections: 8, durationMs: 3000 });
 *   console.log(result.requestsPerSecond);
 */
import http from 'node:http';

export interface LoadOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  /** Concurrent keep-alive connections (each has at most one request in flight). Default 8. */
  connections?: number;
  /** Time bound for the whole run. Default 3000 ms. */
  durationMs?: number;
  /** Upper bound on requests sent in all; the run stops at whichever bound comes first. */
  maxRequests?: number;
  /** Requests sent (and not counted) before measuring, to warm caches. Default 0. */
  warmupRequests?: number;
  /** Per-request time-out; a request past it counts as an error. Default 10000 ms. */
  timeoutMs?: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  /** Completed requests, whatever their status. */
  requests: number;
  /** Requests that failed at the transport level (reset, refused, time-out). */
  errors: number;
  /** Completed requests by HTTP status. */
  statusCounts: Record<number, number>;
  elapsedMs: number;
  /** Latency percentiles over completed requests, in milliseconds. */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

interface Outcome { status?: number; ms: number }

function sendOne(agent: http.Agent, target: URL, method: string,
  headers: Record<string, string>, timeoutMs: number): Promise<Outcome> {
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;

  return new Promise((resolve) => {
    const request = http.request(target, { agent, method, headers }, (response) => {
      // Drain the body so the socket goes back to the agent for the next request.
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode, ms: elapsed() }));
      response.on('error', () => resolve({ ms: elapsed() }));
    });
    request.setTimeout(timeoutMs, () => request.destroy(new Error('request timed out')));
    request.on('error', () => resolve({ ms: elapsed() }));
    request.end();
  });
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.floor(fraction * sorted.length));
  return Math.round(sorted[index] * 100) / 100;
}

/** Runs one bounded load against `url` and reports throughput and the statuses seen. */
export async function measure(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  if (target.protocol !== 'http:') throw new Error(`measure() speaks plain http only: ${options.url}`);
  const method = options.method ?? 'GET';
  const headers = options.headers ?? {};
  const connections = Math.max(1, options.connections ?? 8);
  const durationMs = options.durationMs ?? 3000;
  const maxRequests = options.maxRequests ?? Number.POSITIVE_INFINITY;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });

  try {
    const warmup = options.warmupRequests ?? 0;
    for (let sent = 0; sent < warmup; sent += connections) {
      const batch = Math.min(connections, warmup - sent);
      await Promise.all(Array.from({ length: batch },
        () => sendOne(agent, target, method, headers, timeoutMs)));
    }

    const statusCounts: Record<number, number> = {};
    const latencies: number[] = [];
    let errors = 0;
    let started = 0;
    const begin = process.hrtime.bigint();
    const deadline = Date.now() + durationMs;

    const worker = async () => {
      while (Date.now() < deadline && started < maxRequests) {
        started += 1;
        const outcome = await sendOne(agent, target, method, headers, timeoutMs);
        if (outcome.status === undefined) {
          errors += 1;
        } else {
          statusCounts[outcome.status] = (statusCounts[outcome.status] ?? 0) + 1;
          latencies.push(outcome.ms);
        }
      }
    };
    await Promise.all(Array.from({ length: connections }, worker));

    const elapsedMs = Number(process.hrtime.bigint() - begin) / 1e6;
    latencies.sort((a, b) => a - b);
    return {
      requestsPerSecond: Math.round((latencies.length / (elapsedMs / 1000)) * 10) / 10,
      requests: latencies.length,
      errors,
      statusCounts,
      elapsedMs: Math.round(elapsedMs),
      latencyMs: {
        p50: percentile(latencies, 0.5),
        p90: percentile(latencies, 0.9),
        p99: percentile(latencies, 0.99),
        max: percentile(latencies, 1),
      },
    };
  } finally {
    agent.destroy();
  }
}
