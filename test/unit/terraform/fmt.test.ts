import { ROOT, terraform } from './hcl';

describe('terraform fmt', () => {
  it('finds every .tf file under terraform/ already formatted (terraform fmt -check -recursive)', () => {
    const result = terraform(['fmt', '-check', '-recursive', '-diff', '-no-color', 'terraform'], ROOT);
    const unformatted = result.stdout.trim();
    expect({ status: result.status, unformatted }).toEqual({ status: 0, unformatted: '' });
  });
});
