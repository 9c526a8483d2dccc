import { HttpClient, HttpErrorResponse, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable, catchError, map, throwError } from 'rxjs';
import type { Bucket, ChartRange } from '../util/buckets';
import { type BreakdownAnswer, type ErrorDetail, type ErrorPage, type ErrorQuery, NEW_WITHIN_MS, type TargetsByService } from './model';

const enc = encodeURIComponent;

/**
 * The REST API, on the UI's own origin. Paths are relative (no leading slash) so that the UI
 * also works behind a reverse proxy that serves Periskop under a path prefix.
 */
@Injectable({ providedIn: 'root' })
export class PeriskopApi {
  private readonly http = inject(HttpClient);

  /** Go route: `["svc", …]`. */
  services(): Observable<string[]> {
    return this.http.get<string[]>('services/');
  }

  errors(service: string, query: ErrorQuery): Observable<ErrorPage> {
    let params = new HttpParams()
      .set('status', query.status)
      .set('sort', query.sort)
      .set('order', query.order)
      .set('offset', query.offset)
      .set('limit', query.limit);
    if (query.severity) params = params.set('severity', query.severity);
    if (query.q.trim()) params = params.set('q', query.q.trim());
    if (query.newWithin) params = params.set('new_since', new Date(Date.now() - NEW_WITHIN_MS[query.newWithin]).toISOString());
    if (query.sparkline) params = params.set('sparkline', '1');
    if (query.at) params = params.set('at', query.at);
    return this.http.get<ErrorPage>(`api/services/${enc(service)}/errors`, { params });
  }

  error(service: string, key: string): Observable<ErrorDetail> {
    return this.http.get<ErrorDetail>(`api/services/${enc(service)}/errors/${enc(key)}`);
  }

  /** Occurrences per bucket of `range` (only the buckets holding any), oldest first. */
  occurrences(service: string, key: string, range: Pick<ChartRange, 'step' | 'from' | 'to'>): Observable<Bucket[]> {
    const params = new HttpParams().set('step', range.step).set('from', range.from).set('to', range.to);
    return this.http.get<Bucket[]>(`services/${enc(service)}/errors/${enc(key)}/occurrences`, { params });
  }

  /** Occurrences per value of the service's breakdown_labels, and when each value was first seen. */
  breakdown(service: string, key: string): Observable<BreakdownAnswer> {
    return this.http.get<BreakdownAnswer>(`services/${enc(service)}/errors/${enc(key)}/breakdown`);
  }

  /** Go route: DELETE answers 204; the error stays hidden until it happens again. */
  resolve(service: string, key: string): Observable<void> {
    return this.http.delete(`services/${enc(service)}/errors/${enc(key)}/`, { responseType: 'text' }).pipe(map(() => undefined));
  }

  /** Target health; falls back to the Go route (endpoints only) on a server without /api/targets. */
  targets(): Observable<TargetsByService> {
    return this.http.get<TargetsByService>('api/targets').pipe(
      catchError((error: unknown) => {
        if (!(error instanceof HttpErrorResponse) || error.status !== 404) return throwError(() => error);
        return this.http.get<Record<string, { endpoint: string }[]>>('targets/').pipe(
          map((go) => {
            const out: TargetsByService = {};
            for (const [service, targets] of Object.entries(go)) {
              out[service] = targets.map((t) => ({
                endpoint: t.endpoint,
                status: 'unknown' as const,
                last_error: null,
                status_at: null,
                last_scrape_at: null,
                last_duration_ms: null,
              }));
            }
            return out;
          }),
        );
      }),
    );
  }
}

/** One sentence for a person: what went wrong and what to do. */
export function describeHttpError(error: unknown, what: string): string {
  if (error instanceof HttpErrorResponse) {
    if (error.status === 0) return `Cannot reach the Periskop server to load ${what}. Is it running? Retrying automatically.`;
    const body = jsonMessageBody(error.error);
    let message = '';
    if (typeof body === 'string') message = body;
    else if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
      message = (body as { message: string }).message;
    }
    if (error.status === 503) return `The server cannot answer for now (${message || 'service unavailable'}). Retrying automatically.`;
    return `Loading ${what} failed: HTTP ${error.status}${message ? ` — ${message}` : ''}.`;
  }
  return `Loading ${what} failed: ${error instanceof Error ? error.message : String(error)}.`;
}

/** Requests made with responseType 'text' (the resolve) get the server's JSON error as a string. */
function jsonMessageBody(body: unknown): unknown {
  if (typeof body !== 'string' || !body.startsWith('{')) return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof HttpErrorResponse && error.status === 404;
}
