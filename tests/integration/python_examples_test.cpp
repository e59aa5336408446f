// examples/python_*: Python programs using the seedgate package, through `seedgate run`.
#include <gtest/gtest.h>
