package keeper

import (
	"errors"

	"cosmossdk.io/collections"
)

func errorsIsNotFound(err error) bool { return errors.Is(err, collections.ErrNotFound) }
