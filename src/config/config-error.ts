// Every configuration problem ends the process with one line that says which file, where
// in it, and what is wrong, so it is raised as this single error type.

export interface ConfigErrorOptions {
  /** 1-based line, known for YAML syntax errors. */
  line?: number;
  cause?: unknown;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The file as the user named it (or `environment` for variables such as PORT). */
  readonly file: string;
  /** Key path such as `services[1].scraper.refresh_interval`; empty for the file as a whole. */
  readonly path: string;
  /** What is wrong, without the file and path. */
  readonly problem: string;
  readonly line?: number;

  constructor(file: string, path: string, problem: string, options: ConfigErrorOptions = {}) {
    super(path === '' ? `${file}: ${problem}` : `${file}: ${path}: ${problem}`, { cause: options.cause });
    this.file = file;
    this.path = path;
    this.problem = problem;
    if (options.line !== undefined) this.line = options.line;
  }
}
