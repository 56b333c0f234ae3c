import { describe, expect, it } from 'vitest';
import { irmenCellModel, type IrmenParams } from '../src/components/irmen/irmen-bank.js';
import { demagFactors, hardAxisSaturationField, prismDemag, thermalSpread, thermalStability, type MagnetParams } from '../src/components/irmen/magnet.js';

const magnet = (nm: number): MagnetParams => ({ length: nm * 1e-9, crossSection: 90e-18, anisotropy: 4.5e4, saturationMagnetization: 1.7e6, temperature: 300 });

describe('IRMEN nanomagnet', () => {
  it('has Aharoni demagnetizing factors that sum to 1 (1/3 for a cube)', () => {
    expect(prismDemag(1, 1, 1)).toBeCloseTo(1 / 3, 12);
    expect(prismDemag(1, 2, 3) + prismDemag(2, 3, 1) + prismDemag(3, 1, 2)).toBeCloseTo(1, 12);
    // A thin plate has N ~ 1 across its thickness.
    expect(prismDemag(10, 10, 0.1)).toBeGreaterThan(0.95);
    const d = demagFactors(magnet(60));
    expect(d.along).toBeLessThan(d.across);
  });

  it('has the thermal stability of Table I: Delta = 16-59 for 17-60 nm', () => {
    expect(thermalStability(magnet(17))).toBeCloseTo(16.6, 1);
    expect(thermalStability(magnet(60))).toBeCloseTo(58.7, 1);
  });

  it('spreads its hard-axis state by equipartition over the whole hard-axis stiffness', () => {
    // A cube has no shape anisotropy: the stiffness is K alone and sigma = 1 / sqrt(2 Delta).
    const cube: MagnetParams = { length: 10e-9, crossSection: 100e-18, anisotropy: 4.5e4, saturationMagnetization: 1.7e6, temperature: 300 };
    expect(thermalSpread(cube)).toBeCloseTo(1 / Math.sqrt(2 * thermalStability(cube)), 10);
    // An elongated magnet is stiffer across its length: the spread is kT / (2 K_eff V), K_eff = mu0 Ms H_sat / 2.
    const m = magnet(30);
    const keff = (4e-7 * Math.PI * 1.7e6 * hardAxisSaturationField(m)) / 2;
    expect(thermalSpread(m)).toBeCloseTo(Math.sqrt((1.380649e-23 * 300) / (2 * keff * 30e-9 * 90e-18)), 12);
    expect(thermalSpread(m)).toBeLessThan(0.5 / Math.sqrt(2 * thermalStability(m)));
    // It falls as the magnet grows (seed 000, Fig. 4a), and doubles with four times the temperature.
    expect(thermalSpread(magnet(60))).toBeLessThan(thermalSpread(magnet(17)));
    expect(thermalSpread({ ...m, temperature: 1200 })).toBeCloseTo(2 * thermalSpread(m), 12);
  });

  it('needs a larger field to saturate when longer (shape anisotropy)', () => {
    const fields = [17, 30, 45, 60].map((l) => hardAxisSaturationField(magnet(l)));
    for (let i = 1; i < fields.length; i++) expect(fields[i]!).toBeGreaterThan(fields[i - 1]!);
    // Crystalline part alone: 2K / (mu0 Ms) = 42.1 kA/m; the shape part dominates.
    expect(fields[0]!).toBeGreaterThan(3 * 42.1e3);
  });
});

describe('IRMEN cell model', () => {
  const params = (nm: number): IrmenParams => ({
    fm_length: nm * 1e-9,
    fm_cross_section: 90e-18,
    anisotropy: 4.5e4,
    saturation_magnetization: 1.7e6,
    temperature: 300,
    me_capacitance: 1e-15,
    me_coefficient_per_c: 10,
    me_thickness: 5e-9,
    ir_resistivity: 1e-4,
    spin_conversion_length: 6e-9,
    drive_voltage: 0.1,
    ground_resistance: 10e3,
    access_capacitance: 50e-18,
    access_voltage: 0.8,
    noise_scale: 1,
  });

  it('costs no more than 10 aJ to write intrinsically, as Sec. II-B estimates', () => {
    const short = irmenCellModel(params(17));
    const long = irmenCellModel(params(60));
    expect(long.writeEnergy).toBeLessThanOrEqual(10e-18);
    expect(long.writeEnergy).toBeGreaterThan(8e-18);
    expect(short.writeEnergy).toBeGreaterThan(1e-18);
    expect(long.saturationVoltage / short.saturationVoltage).toBeCloseTo(2.1, 1);
  });

  it('needs about 1 uA to saturate at 30 nm through a 100 kOhm shunt ("up to 1 uA", Sec. III)', () => {
    expect(irmenCellModel(params(30)).saturationVoltage / 100e3).toBeCloseTo(1.04e-6, 8);
  });

  it('drives its read current through the IR stack and the ground return', () => {
    const m = irmenCellModel(params(30));
    // 10 mOhm cm x 6 nm / (30 nm x 9.49 nm) = 2.11 kOhm, plus 10 kOhm.
    expect(m.driveResistance).toBeGreaterThan(12107.5);
    expect(m.driveResistance).toBeLessThan(12108.5);
    expect(m.drivePower / (0.01 / 12108.2)).toBeCloseTo(1, 4);
  });
});
