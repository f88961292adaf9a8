/** Collects what went wrong in a workload, with counts and a few samples instead of a flood. */

const SAMPLES = 3;

export class Problems {
  private readonly items: string[] = [];
  private errors = 0;
  private strays = 0;
  private readonly errorSamples: string[] = [];
  private readonly straySamples: string[] = [];

  add(text: string): void {
    this.items.push(text);
  }

  /** An error reply from the server. */
  serverError(who: string, line: string): void {
    this.errors++;
    if (this.errorSamples.length < SAMPLES) this.errorSamples.push(`${who}: ${line.slice(0, 200)}`);
  }

  /** A line the workload did not expect (not its own payload, not a reply or system event). */
  unexpected(who: string, line: string): void {
    this.strays++;
    if (this.straySamples.length < SAMPLES) this.straySamples.push(`${who}: ${line.slice(0, 200)}`);
  }

  none(): boolean {
    return this.items.length === 0 && this.errors === 0 && this.strays === 0;
  }

  list(): string[] {
    const out = [...this.items];
    if (this.errors > 0)
      out.push(`${this.errors} error replies from the server, e.g. ${this.errorSamples.join(' | ')}`);
    if (this.strays > 0) out.push(`${this.strays} unexpected lines, e.g. ${this.straySamples.join(' | ')}`);
    return out;
  }
}
