// Shared by the benchmarks: runs a subject and its floor in alternating rounds on the same machine and reports
// the median ops/s of each and the median of the per-round ratios (subject / floor), as text or JSON lines.
import { Bench } from 'tinybench';

export interface Figure {
  name: string;
  opsPerSec: number;
  floorOpsPerSec: number;
  ratio: number;
  floor: string;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

export async function compare(
  name: string,
  subject: () => unknown,
  floorName: string,
  floor: () => unknown,
  rounds = 7,
  timeMs = 250,
): Promise<Figure> {
  const subjectOps: number[] = [];
  const floorOps: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const bench = new Bench({ time: timeMs, warmupTime: 50 });
    // Alternate which runs first, so neither always gets the warmer machine.
    if (r % 2 === 0) bench.add('subject', subject).add('floor', floor);
    else bench.add('floor', floor).add('subject', subject);
    await bench.run();
    const ops = (task: string) => {
      const result = bench.getTask(task)?.result;
      if (result === undefined || !('period' in result)) throw new Error(`${name}: task ${task} did not finish`);
      return 1000 / result.period;
    };
    subjectOps.push(ops('subject'));
    floorOps.push(ops('floor'));
    ratios.push(ops('subject') / ops('floor'));
  }
  return { name, opsPerSec: median(subjectOps), floorOpsPerSec: median(floorOps), ratio: median(ratios), floor: floorName };
}

export function print(figures: Figure[], json: boolean): void {
  for (const f of figures) {
    if (json) {
      console.log(
        JSON.stringify({
          name: f.name,
          opsPerSec: Math.round(f.opsPerSec),
          floorOpsPerSec: Math.round(f.floorOpsPerSec),
          ratio: Number(f.ratio.toFixed(3)),
        }),
      );
    } else {
      const ops = (n: number) => Math.round(n).toLocaleString('en-US').padStart(10);
      console.log(
        `${f.name.padEnd(28)} ${ops(f.opsPerSec)} ops/s   floor (${f.floor}) ${ops(f.floorOpsPerSec)} ops/s   ratio ${f.ratio.toFixed(2)}`,
      );
    }
  }
}
