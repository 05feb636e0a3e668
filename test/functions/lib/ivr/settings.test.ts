import { describe, expect, it } from 'vitest';
import { maskPhoneNumber } from '#functions/lib/log-mask.ts';
import { readFunctionEnvironment } from '#functions/lib/aws/config.ts';
import { c2mSettingsOf } from '#functions/lib/ivr/settings.ts';

const readC2mSettings = (env: NodeJS.ProcessEnv) => c2mSettingsOf(readFunctionEnvironment('c2m-invite', env));

describe('c2m-invite settings from the contract environment', () => {
  it('reads the defaults and the region hint, all optional', () => {
    expect(readC2mSettings({})).toEqual({ defaultSkill: undefined, defaultHandoffId: undefined, region: undefined });
    expect(readC2mSettings({ C2M_DEFAULT_SKILL: 'support', C2M_DEFAULT_HANDOFF_ID: 'H1', C2M_REGION: 'sy' })).toEqual({
      defaultSkill: 'support',
      defaultHandoffId: 'H1',
      region: 'sy',
    });
    expect(readC2mSettings({ C2M_DEFAULT_SKILL: '', C2M_REGION: '' })).toEqual({
      defaultSkill: undefined,
      defaultHandoffId: undefined,
      region: undefined,
    });
  });

  it('names every broken variable', () => {
    expect(() => readC2mSettings({ C2M_REGION: 'us', C2M_DEFAULT_HANDOFF_ID: 'H'.repeat(17), C2M_DEFAULT_SKILL: 's'.repeat(256) })).toThrow(
      "invalid environment: C2M_DEFAULT_SKILL must be at most 255 characters (C2M's limit); C2M_DEFAULT_HANDOFF_ID must be at most 16 characters (C2M's limit); C2M_REGION must be one of va, lo, sy",
    );
  });
});

describe('maskPhoneNumber', () => {
  it.each([
    ['+12061234567', '***4567'],
    ['+44 20 7946 0958', '***0958'],
    ['123', '***'],
    ['anonymous', '***'],
    [undefined, undefined],
  ])('%s → %s', (phone, masked) => {
    expect(maskPhoneNumber(phone)).toBe(masked);
  });
});
