/** True when running under CI: `CI` set to anything but empty, `0` or `false` (as CI services set it). */
export function inCI(): boolean {
  const ci = process.env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}
