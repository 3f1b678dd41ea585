"""Stop words for Swedish and English (the Snowball lists, slightly extended).

Words here carry no topic: they are dropped before stemming and serve as the
main evidence for language detection.
"""

from __future__ import annotations

_SWEDISH = """
    och det att i en jag hon som han på den med var sig för så till är men ett om hade de av
    icke mig du henne då sin nu har inte hans honom skulle hennes där min man ej vid kunde
    något från ut när efter upp vi dem vara vad över än dig kan sina här ha mot alla under
    någon eller allt mycket sedan ju denna själv detta åt utan varit hur ingen mitt ni bli
    blev oss din dessa några deras blir mina samma vilken er sådan vår blivit dess inom
    mellan sådant varför varje vilka ditt vem vilket sitta sådana vart dina vars vårt våra
    ert era vilkas också ska vill kommer även bara genom skall finns få får fick måste sedan
    många mer mest helt redan just nya ny nytt andra annan annat samt där därför dock både
    cirka ca t.ex bl.a osv etc per hos kring enligt sätt flera olika inför efter via
"""

_ENGLISH = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing would should could ought a an the and but if or because as until while of
    at by for with about against between into through during before after above below to
    from up down in out on off over under again further then once here there when where why
    how all any both each few more most other some such no nor not only own same so than too
    very can will just shall may might must also us e.g etc per via within without across
    like want wants wanted would need needs new many much one two three four five six ten
"""

SWEDISH: frozenset[str] = frozenset(_SWEDISH.split())
ENGLISH: frozenset[str] = frozenset(_ENGLISH.split())

BY_LANGUAGE: dict[str, frozenset[str]] = {"sv": SWEDISH, "en": ENGLISH}
