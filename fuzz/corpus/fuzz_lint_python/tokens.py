a = '''x
rand()''' + rb'\'' + f"{d['k']} {x!r}" + """
"""
b
f(a,
  b)  # c
x = 1 + \
  2

   
y
s = f"{d["k"]} random.seed(1)"
z = f'{f"{1:{w}}"}' + br"\d" + Rb'''x'''
import numpy as np, torch.nn as nn  # seedgate-lint: ignore[python-unseeded-rng]
from random import *
np.random.shuffle(x)
t = "open
