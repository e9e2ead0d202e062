from enum import StrEnum


class Format(StrEnum):
    JSON = "json"
    XML = "xml"

    def __str__(self) -> str:
        return str(self.value)
