/** Where a value in a scenario came from: a file and line, or a --set on the command line. */
export interface Location {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

/** One problem with a scenario: where it is, which key, and what was expected. */
export interface ScenarioIssue {
  readonly location: Location;
  /** Key path as written in the file: `params.stage_delay`, `network.layers[2].kernel`. */
  readonly path: string;
  readonly message: string;
}

export function formatLocation(loc: Location): string {
  if (loc.line === undefined) return loc.file;
  return loc.column === undefined ? `${loc.file}:${loc.line}` : `${loc.file}:${loc.line}:${loc.column}`;
}

export function formatIssue(issue: ScenarioIssue): string {
  const where = formatLocation(issue.location);
  return issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

/** Problems printed at most; the rest are counted ("and 39,980 more"). */
export const SHOWN_ISSUES = 20;

/** The issues as lines, at most SHOWN_ISSUES of them and a count of the rest. */
export function formatIssues(issues: readonly ScenarioIssue[]): string[] {
  const lines = issues.slice(0, SHOWN_ISSUES).map(formatIssue);
  if (issues.length > SHOWN_ISSUES) lines.push(`... and ${(issues.length - SHOWN_ISSUES).toLocaleString('en-US')} more`);
  return lines;
}

/** A scenario that cannot be used, with every problem found. The CLI prints them and exits 2. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
  constructor(readonly issues: readonly ScenarioIssue[]) {
    super(formatIssues(issues).join('\n'));
  }
}

/** Path segments to the written form: ['network', 'layers', 2, 'kernel'] -> network.layers[2].kernel */
export function pathString(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}
