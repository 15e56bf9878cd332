/** A one-line progress bar on stderr: fraction done, rows/s when known, elapsed time. */
export interface ProgressBar {
  update(label: string, fraction: number, rows?: number): void;
  done(): void;
}

const WIDTH = 24;

export function progressBar(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!enabled) return { update: () => undefined, done: () => undefined };
  const started = performance.now();
  let lastDraw = 0;
  let drawn = false;
  return {
    update(label, fraction, rows) {
      const now = performance.now();
      if (now - lastDraw < 100 && fraction < 1) return;
      lastDraw = now;
      const seconds = (now - started) / 1000;
      const filled = Math.round(Math.max(0, Math.min(1, fraction)) * WIDTH);
      const rate = rows !== undefined && seconds > 0 ? `  ${formatCount(rows / seconds)} rows/s` : '';
      stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%${rate}  ${seconds.toFixed(1)}s  ${label}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

export function formatCount(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  return String(Math.round(value));
}
