import { HttpErrorResponse } from '@angular/common/http';
import { describeHttpError } from './periskop-api';

describe('describeHttpError', () => {
  it.each([
    ['a JSON body', { statusCode: 401, message: 'needs credentials' }, 401, 'Loading x failed: HTTP 401 — needs credentials.'],
    ['a JSON body read as text (responseType text)', '{"statusCode":403,"message":"may only read"}', 403, 'Loading x failed: HTTP 403 — may only read.'],
    ['a plain text body', 'service a not found', 404, 'Loading x failed: HTTP 404 — service a not found.'],
    ['text that only looks like JSON', '{not json', 500, 'Loading x failed: HTTP 500 — {not json.'],
  ])('shows the server message from %s', (_name, error, status, expected) => {
    expect(describeHttpError(new HttpErrorResponse({ error, status }), 'x')).toBe(expected);
  });
});
