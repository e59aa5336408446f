#include "history/store.hpp"
