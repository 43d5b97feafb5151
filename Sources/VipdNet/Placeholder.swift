import CVipdSys
