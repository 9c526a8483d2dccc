import { Type } from '@mikro-orm/core';

/**
 * JSON kept as text we serialise ourselves. Native JSON columns differ: PostgreSQL's driver
 * parses them, MySQL's does, MariaDB's (LONGTEXT underneath) does not. The migration gives the
 * column LONGTEXT on MySQL (TEXT stops at 64 KiB; occurrences carry megabytes of stack
 * traces and bodies) and TEXT elsewhere.
 */
export class JsonDocument<T> extends Type<T, string> {
  override convertToDatabaseValue(value: T): string {
    return JSON.stringify(value);
  }

  override convertToJSValue(value: string | T): T {
    return typeof value === 'string' ? (JSON.parse(value) as T) : value;
  }

  override getColumnType(): string {
    return 'text';
  }

  override compareAsType(): string {
    return 'string';
  }
}
