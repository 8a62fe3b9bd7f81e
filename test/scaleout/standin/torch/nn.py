from standin_record import recorded


class MSELoss:
    @recorded
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean") -> None:
        pass


class L1Loss:
    @recorded
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean") -> None:
        pass
