// The protocol examples both seedgate::protocol and the Python package read
// (tests/data/protocol-examples.json): the same input gives the same bytes.
#include <gtest/gtest.h>
