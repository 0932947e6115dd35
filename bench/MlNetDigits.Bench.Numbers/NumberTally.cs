namespace MlNetDigits.Bench.Numbers;

/// <summary>Why a number was read wrong: the first that applies, in this order.</summary>
internal enum FailureCause
{
    /// <summary>Fewer segments than digits (touching digits left uncut, or two merged).</summary>
    TooFewSegments,

    /// <summary>More segments than digits (a digit cut in two, or a piece left on its own).</summary>
    TooManySegments,

    /// <summary>The right count, but a wrong digit's segment does not match its true box (a cut in the wrong place).</summary>
    MisplacedCut,

    /// <summary>Segmented right; the classifier gets the digit wrong even from its own ink alone.</summary>
    ClassifierInIsolation,

    /// <summary>Segmented right; the classifier is right on the digit's own ink but wrong on the segment's crop.</summary>
    ClassifierOnSegment,
}

/// <summary>Counts of numbers and digits read right, for one group of numbers (all, or one overlap bucket).</summary>
internal sealed class NumberTally
{
    public int Numbers { get; private set; }

    public int NumbersRight { get; private set; }

    public int Digits { get; private set; }

    public int DigitsRight { get; private set; }

    public int OracleNumbersRight { get; private set; }

    public int OracleDigitsRight { get; private set; }

    public int BoxNumbersRight { get; private set; }

    public int BoxDigitsRight { get; private set; }

    /// <summary>Numbers with at least one digit below the confidence threshold.</summary>
    public int Unsure { get; private set; }

    /// <summary>Wrong numbers that were flagged unsure.</summary>
    public int WrongAndUnsure { get; private set; }

    public Dictionary<FailureCause, int> Causes { get; } = Enum.GetValues<FailureCause>().ToDictionary(c => c, _ => 0);

    /// <summary>Adds one number's outcome.</summary>
    public void Add(bool right, int digits, int digitsRight, bool oracleRight, int oracleDigitsRight, bool boxRight, int boxDigitsRight,
        bool unsure, FailureCause? cause)
    {
        Numbers++;
        NumbersRight += right ? 1 : 0;
        Digits += digits;
        DigitsRight += digitsRight;
        OracleNumbersRight += oracleRight ? 1 : 0;
        OracleDigitsRight += oracleDigitsRight;
        BoxNumbersRight += boxRight ? 1 : 0;
        BoxDigitsRight += boxDigitsRight;
        Unsure += unsure ? 1 : 0;
        WrongAndUnsure += !right && unsure ? 1 : 0;
        if (cause is { } c)
            Causes[c]++;
    }
}
