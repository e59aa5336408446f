#include "checks/predictions.hpp"
