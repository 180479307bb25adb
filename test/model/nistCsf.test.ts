import { describe, expect, it } from 'vitest';
import { isNistCsfTag, NIST_CSF_CATEGORIES, NIST_CSF_FUNCTIONS, suggestNistCsfTags } from '../../src/model/nistCsf.js';

describe('NIST CSF 2.0 list', () => {
  it('has the six functions and the 22 categories of CSF 2.0, each under its function', () => {
    expect(NIST_CSF_FUNCTIONS.map((f) => `${f.id} ${f.name}`)).toEqual(['GV Govern', 'ID Identify', 'PR Protect', 'DE Detect', 'RS Respond', 'RC Recover']);
    expect(NIST_CSF_CATEGORIES).toHaveLength(22);
    for (const category of NIST_CSF_CATEGORIES) expect(category.id.startsWith(`${category.function}.`)).toBe(true);
    expect(NIST_CSF_CATEGORIES.filter((c) => c.function === 'RS').map((c) => c.id)).toEqual(['RS.MA', 'RS.AN', 'RS.CO', 'RS.MI']);
    expect(NIST_CSF_CATEGORIES.filter((c) => c.function === 'RC').map((c) => c.id)).toEqual(['RC.RP', 'RC.CO']);
  });

  it('accepts functions and categories exactly as spelled, not CSF 1.1 categories or subcategories', () => {
    expect(['RS', 'RS.MA', 'ID.IM', 'GV.SC'].every(isNistCsfTag)).toBe(true);
    expect(['RS.RP', 'rs.ma', 'DE.AE-02', 'DE.DP', '', 3].some(isNistCsfTag)).toBe(false);
  });

  it('suggests the CSF 2.0 successor of a CSF 1.1 category, the category of a subcategory, or neighbours', () => {
    expect(suggestNistCsfTags('RS.RP')).toEqual(['RS.MA']);
    expect(suggestNistCsfTags('RC.IM')).toEqual(['ID.IM']);
    expect(suggestNistCsfTags('pr.ac')).toEqual(['PR.AA']);
    expect(suggestNistCsfTags('de-ae-02')).toEqual(['DE.AE']);
    expect(suggestNistCsfTags('RS.XX')).toEqual(['RS.MA', 'RS.AN', 'RS.CO']);
    expect(suggestNistCsfTags('XX.CO')).toEqual(['RS.CO', 'RC.CO']);
    expect(suggestNistCsfTags('nonsense')).toEqual([]);
  });
});
