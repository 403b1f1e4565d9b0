package domain_test

import ()
