import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../data/project.js';
import type { DeviceReport } from '../device/irmen-transfer.js';

/** The committed LLG characterization of the bundled IRMEN scenario (spinarch device irmen --json). */
export const deviceReportPath = (): string => path.join(projectRoot(), 'docs', 'device-irmen.json');

export function readDeviceReport(): DeviceReport | undefined {
  const file = deviceReportPath();
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DeviceReport) : undefined;
}

/** The README's rows of the IRMEN cell from the LLG solver, beside seed 000's Fig. 4a and stage delay. */
export function deviceMarkdown(r: DeviceReport | undefined): string {
  if (r === undefined) return 'Not computed yet: run `spinarch device irmen scenarios/irmen-dual-cenn.yaml --json > docs/device-irmen.json`.\n';
  const rows = r.lengths.map((l) => `| ${l.fm_length_nm} nm | ${l.thermal_stability.toFixed(1)} | ${l.mean_abs_error.toFixed(4)} | ${l.error_sd.toFixed(3)} | ${(l.settling_ps.full_scale / 1000).toFixed(2)} ns | ${(l.settling_ps.from_rest / 1000).toFixed(2)} ns | ${(l.relaxation_ps.at_zero / 1000).toFixed(2)} / ${(l.relaxation_ps.at_0_9 / 1000).toFixed(2)} ns |`);
  const errors = r.lengths.map((l) => l.mean_abs_error);
  const falls = errors.every((e, i) => i === 0 || e < errors[i - 1]!);
  return [
    `| FM length | Delta (kT) | mean abs(error) (Fig. 4a: falls with length) | error sd | settling, -0.9 to 0.9 (paper: stage delay ${(r.stage_time_ps / 1000).toFixed(1)} ns, "mostly" switching) | settling, 0 to 1 | relaxation time tau at state 0 / 0.9 |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `${r.iterations.toLocaleString('en-US')} Monte Carlo iterations per length (seed ${r.seed}); Gilbert damping ${r.damping}; each input held ${(r.stage_time_ps / 1000).toFixed(1)} ns, then read for ${r.read_pulse_ps} ps through a ${r.read_rc_ps} ps RC; step ${r.time_step_ps} ps. The error ${falls ? 'falls' : 'does NOT fall'} with length, as in Fig. 4a. Settling is to within ${100 * r.settle_tolerance} % of the input step, without noise; tau = 2 (1 + alpha^2) / (alpha gamma mu0 H_sat (1 + cos^2 theta)), the decay time of the magnet's precession about its state.`,
    '',
  ].join('\n');
}
