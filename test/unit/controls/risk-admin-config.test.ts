/** riskAdmin's configuration: roles from comma-separated lists, caller authentication like the other private APIs. */
import { readRiskAdminConfig } from '../../../shared/platform/config/controls';
import { ConfigError } from '../../../shared/platform/config/runtime';

describe('readRiskAdminConfig', () => {
  it('reads both roles and local tokens on the local stack', () => {
    expect(
      readRiskAdminConfig({
        ENVIRONMENT: 'local',
        RISK_ADMINS: ' ana@desk.example, bo@desk.example ,',
        RISK_OPERATORS: 'ops@desk.example',
      }),
    ).toEqual({
      auth: 'local',
      audience: undefined,
      admins: ['ana@desk.example', 'bo@desk.example'],
      operators: ['ops@desk.example'],
    });
  });

  it('names every problem at once: no audience for Google tokens, local tokens deployed, a malformed identity', () => {
    let problems: string[] = [];
    try {
      readRiskAdminConfig({ ENVIRONMENT: 'prod', RISK_ADMIN_AUTH: 'local', RISK_OPERATORS: 'ops desk' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([
      'RISK_ADMIN_AUTH=local is only for ENVIRONMENT=local',
      "RISK_OPERATORS: 'ops desk' is not an e-mail",
    ]);
    expect(() => readRiskAdminConfig({ ENVIRONMENT: 'prod' })).toThrow(
      'RISK_ADMIN_AUDIENCE is not set (required with RISK_ADMIN_AUTH=google)',
    );
  });
});
