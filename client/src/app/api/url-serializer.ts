import { Injectable } from '@angular/core';
import { PRIMARY_OUTLET, type Params, UrlSegment, UrlSegmentGroup, UrlSerializer, UrlTree } from '@angular/router';

/** decodeURIComponent that leaves a malformed escape as it is instead of throwing. */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Percent-encodes a path segment; '@' and ':' stay readable (keys look like `com.Foo@e28e036e`). */
export function encodeSegment(text: string): string {
  return encodeURIComponent(text).replace(/%40/g, '@').replace(/%3A/gi, ':');
}

/**
 * URLs are plain slash-separated, percent-encoded segments plus a query string, exactly as the
 * Go UI linked them (`/#/:service/errors/:encodedKey`). Angular's default serializer gives
 * '(', ')' and ';' a meaning (outlets, matrix parameters), and aggregation keys and service
 * names are free text that can hold any of them, so it cannot be used here.
 */
@Injectable()
export class PlainUrlSerializer implements UrlSerializer {
  parse(url: string): UrlTree {
    let rest = url;
    let fragment: string | null = null;
    const hash = rest.indexOf('#');
    if (hash >= 0) {
      fragment = safeDecode(rest.slice(hash + 1));
      rest = rest.slice(0, hash);
    }
    const queryParams: Params = {};
    const question = rest.indexOf('?');
    if (question >= 0) {
      for (const pair of rest.slice(question + 1).split('&')) {
        if (!pair) continue;
        const eq = pair.indexOf('=');
        const name = safeDecode((eq >= 0 ? pair.slice(0, eq) : pair).replace(/\+/g, ' '));
        const value = eq >= 0 ? safeDecode(pair.slice(eq + 1).replace(/\+/g, ' ')) : '';
        const existing = queryParams[name];
        queryParams[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
      }
      rest = rest.slice(0, question);
    }
    const segments = rest
      .split('/')
      .filter((s) => s.length > 0)
      .map((s) => new UrlSegment(safeDecode(s), {}));
    const children: Record<string, UrlSegmentGroup> = segments.length ? { [PRIMARY_OUTLET]: new UrlSegmentGroup(segments, {}) } : {};
    return new UrlTree(new UrlSegmentGroup([], children), queryParams, fragment);
  }

  serialize(tree: UrlTree): string {
    const paths: string[] = [];
    let group: UrlSegmentGroup | undefined = tree.root;
    while (group) {
      for (const segment of group.segments) paths.push(encodeSegment(segment.path));
      group = group.children[PRIMARY_OUTLET];
    }
    const query: string[] = [];
    for (const [name, value] of Object.entries(tree.queryParams)) {
      if (value === undefined || value === null) continue;
      for (const v of Array.isArray(value) ? value : [value]) {
        query.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(v))}`);
      }
    }
    return (
      '/' +
      paths.join('/') +
      (query.length ? `?${query.join('&')}` : '') +
      (tree.fragment !== null && tree.fragment !== undefined ? `#${encodeURIComponent(tree.fragment)}` : '')
    );
  }
}
