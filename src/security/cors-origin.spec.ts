import { DEFAULT_CORS_ORIGINS } from '../config/security-config.js';
import { allowedOrigins } from './cors-origin.js';

describe('allowedOrigins', () => {
  it.each([
    [DEFAULT_CORS_ORIGINS, 'http://localhost:4200', true],
    [DEFAULT_CORS_ORIGINS, 'http://LOCALHOST:3000', true],
    [DEFAULT_CORS_ORIGINS, 'https://localhost:4200', false],
    [DEFAULT_CORS_ORIGINS, 'http://localhost.evil.example', false],
    [DEFAULT_CORS_ORIGINS, 'http://evil.example', false],
    [['https://ui.example'], 'https://ui.example', true],
    [['https://ui.example'], 'https://ui.example.evil', false],
    [['https://*.example.com'], 'https://ui.example.com', true],
    [['https://*.example.com'], 'https://example.com', false],
    [['*'], 'https://anything', true],
    [[], 'http://localhost:4200', false],
  ])('%j allows %s: %s', (patterns, origin, allowed) => {
    expect(allowedOrigins(patterns)(origin)).toBe(allowed);
  });
});
