#include "harness/predictions.hpp"
