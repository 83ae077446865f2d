// Open-loop arrival times: a Poisson process, i.e. exponential gaps of mean 1/rate, drawn from the seeded generator
// (util/rng.ts, stream "load-arrivals"), so the same rate and seed give the same schedule on every machine.
import { SeededRandom } from "../util/rng.js";

/** Arrival times without end: the first at 0, each next one an exponential gap later. Units: s since the run began. */
export function* poissonArrivals(requestRatePerS: number, seed: number): Generator<number, never> {
  const random = new SeededRandom(seed, "load-arrivals");
  let t = 0;
  for (;;) {
    yield t;
    t += -Math.log(random.nextFloat()) / requestRatePerS;
  }
}

/** The first `count` arrival times. Units: s since the run began. */
export function poissonArrivalsS(requestRatePerS: number, seed: number, count: number): number[] {
  const times: number[] = [];
  const source = poissonArrivals(requestRatePerS, seed);
  while (times.length < count) times.push(source.next().value);
  return times;
}
