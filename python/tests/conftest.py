"""The package under test is the one beside these tests, whatever is installed."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

pytest_plugins = ["pytester"]
