/**
 * How many cases a property test runs. Each property states the count sized for CI (it finishes well inside
 * the suite's time); CLASSCHAT_TEST_PROPERTY_SCALE multiplies every count, so `=10` runs a long local fuzz
 * and `=0.1` a quick check, without editing a test. At least one run, always.
 */
const SCALE_VARIABLE = 'CLASSCHAT_TEST_PROPERTY_SCALE';

/** The multiplier from CLASSCHAT_TEST_PROPERTY_SCALE (default 1); a time limit sized for CI scales with it. */
export function propertyScale(): number {
  const raw = process.env[SCALE_VARIABLE];
  if (raw === undefined || raw === '') return 1;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${SCALE_VARIABLE} must be a positive number, not "${raw}"`);
  return value;
}

/** `ciRuns` scaled by CLASSCHAT_TEST_PROPERTY_SCALE (default 1), rounded, never below 1. */
export function propertyRuns(ciRuns: number): number {
  return Math.max(1, Math.round(ciRuns * propertyScale()));
}
