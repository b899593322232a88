"""Generated module list, in dependency order."""
MODULES = ('types', 'scp', 'contract', 'contract_config_setting', 'contract_env_meta', 'contract_meta', 'contract_spec', 'ledger_entries', 'transaction', 'ledger', 'exporter', 'internal', 'overlay')
