/** A warning for each `*_beyond_share` tally that is not zero: a run left a measured table's range. */
export function beyondWarnings(tally: Readonly<Record<string, readonly [number, number]>>): string[] {
  return Object.entries(tally)
    .filter(([k, [n]]) => k.endsWith('_beyond_share') && n > 0)
    .map(([, [n, of]]) => `${n.toLocaleString('en-US')} of ${of.toLocaleString('en-US')} device reads (${((100 * n) / of).toPrecision(3)} %) were beyond the measured table's range and read at its edge (not extrapolated): measure further, or check the drive`);
}
