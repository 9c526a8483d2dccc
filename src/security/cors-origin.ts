// rs/cors' AllowedOrigins, as the Go server used them: exact origins, `*` for any, or one `*`
// standing for any text in that place (`http://localhost:*`). Origins compare case-insensitively.

export type OriginPredicate = (origin: string) => boolean;

export function allowedOrigins(patterns: readonly string[]): OriginPredicate {
  if (patterns.includes('*')) return () => true;
  const matchers = patterns.map((pattern) => {
    const [prefix, suffix] = pattern.toLowerCase().split('*') as [string, string | undefined];
    return suffix === undefined
      ? (origin: string) => origin === prefix
      : (origin: string) => origin.length >= prefix.length + suffix.length && origin.startsWith(prefix) && origin.endsWith(suffix);
  });
  return (origin) => matchers.some((matches) => matches(origin.toLowerCase()));
}
