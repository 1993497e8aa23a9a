package app

// SDKAuthorityMsgsForTest exposes the type URLs authorityCircuit holds.
func SDKAuthorityMsgsForTest(a *App) map[string]struct{} {
	held, err := sdkAuthorityMsgs(a.interfaceRegistry)
	if err != nil {
		panic(err)
	}
	return held
}
