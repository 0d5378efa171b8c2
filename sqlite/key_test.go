package sqlite

import "airbridge/vault"

// testKey is the master key of the tests' databases.
var testKey = func() vault.MasterKey {
	k, err := vault.GenerateMasterKey()
	if err != nil {
		panic(err)
	}
	return k
}()
