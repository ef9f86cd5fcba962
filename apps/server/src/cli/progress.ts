// Progress of long CLI runs on stderr, so stdout stays clean for piping: a redrawn bar on a
// terminal, plain lines (at most one per 10 %) when stderr is a file or a pipe.
export interface Progress {
  update(done: number, total: number): void;
  done(): void;
}

const WIDTH = 30;

export function progressOn(stream: NodeJS.WritableStream & { isTTY?: boolean }, label: string): Progress {
  let lastDraw = 0;
  let lastDecile = -1;
  let drawn = false;
  if (stream.isTTY) {
    return {
      update(done, total) {
        const now = Date.now();
        if (done < total && now - lastDraw < 100) return;
        lastDraw = now;
        const filled = total === 0 ? WIDTH : Math.round((done / total) * WIDTH);
        stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${percent(done, total)} ${done}/${total}`);
        drawn = true;
      },
      done() {
        if (drawn) stream.write('\n');
      },
    };
  }
  return {
    update(done, total) {
      const decile = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (decile === lastDecile) return;
      lastDecile = decile;
      stream.write(`${label}: ${done}/${total} (${percent(done, total)})\n`);
    },
    done() {},
  };
}

function percent(done: number, total: number): string {
  return `${total === 0 ? 100 : Math.floor((done / total) * 100)}%`;
}
