import type { Params, Router, UrlTree } from '@angular/router';
import { encodeSegment } from '../api/url-serializer';

function query(params: Params | undefined): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** `/#/:service` — built as a tree so that names holding '/', '(' or ';' survive. */
export function serviceUrl(router: Router, service: string, params?: Params): UrlTree {
  return router.parseUrl(`/${encodeSegment(service)}${query(params)}`);
}

/** `/#/:service/errors/:encodedKey`, the Go UI's deep link. */
export function errorUrl(router: Router, service: string, key: string, params?: Params): UrlTree {
  return router.parseUrl(`/${encodeSegment(service)}/errors/${encodeSegment(key)}${query(params)}`);
}
