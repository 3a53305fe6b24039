import { SUPERVISOR_DEFAULTS } from '../connection-defaults.js';
import { rotationSettings } from './rotation-plan.js';

const DAY = 86_400_000;

describe('rotationSettings: when a planned rotation comes', () => {
  it("defaults to the venue's lifetime minus the margin, and to none without a lifetime", () => {
    expect(rotationSettings(undefined, DAY).rotateAfterMs).toBe(DAY - SUPERVISOR_DEFAULTS.rotation.lifetimeMarginMs);
    expect(rotationSettings(undefined, undefined).rotateAfterMs).toBeUndefined();
  });

  it("leadMs rotates that long before the venue's cut", () => {
    expect(rotationSettings({ leadMs: 30 * 60_000 }, DAY).rotateAfterMs).toBe(DAY - 30 * 60_000);
    expect(rotationSettings({ leadMs: 400 }, 2_000).rotateAfterMs).toBe(1_600);
  });

  it('refuses a lead that cannot be honoured, naming the option', () => {
    expect(() => rotationSettings({ leadMs: DAY }, DAY)).toThrow(/rotation\.leadMs: must be below the venue's socket lifetime/);
    expect(() => rotationSettings({ leadMs: 0 }, DAY)).toThrow(/rotation\.leadMs/);
    expect(() => rotationSettings({ leadMs: Number.NaN }, DAY)).toThrow(/rotation\.leadMs/);
    expect(() => rotationSettings({ leadMs: 1_000 }, undefined)).toThrow(
      /rotation\.leadMs: the venue declares no socket lifetime/,
    );
    expect(() => rotationSettings({ leadMs: 1_000, rotateAfterMs: 5_000 }, DAY)).toThrow(/not both/);
    expect(() => rotationSettings({ leadMs: 1_000, rotateAfterMs: false }, DAY)).toThrow(/not both/);
  });

  it('rotateAfterMs stays as it was: below the lifetime, false for none', () => {
    expect(rotationSettings({ rotateAfterMs: 5_000 }, DAY).rotateAfterMs).toBe(5_000);
    expect(rotationSettings({ rotateAfterMs: false }, DAY).rotateAfterMs).toBeUndefined();
    expect(() => rotationSettings({ rotateAfterMs: DAY }, DAY)).toThrow(/rotation\.rotateAfterMs/);
  });
});
