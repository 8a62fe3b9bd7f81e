from standin_record import note


def set_seed(seed: int, deterministic: bool = False):
    note({"set_seed": seed})
