namespace MlNetDigits;

/// <summary>One class of a multiclass model and its score: the class name (from the Score column's SlotNames) and its probability.</summary>
/// <param name="ClassIndex">The slot of the Score vector, 0-based.</param>
/// <param name="ClassName">The class name (for digits, "0".."9").</param>
/// <param name="Score">The score of that slot (for the trainers of this library, a probability).</param>
public readonly record struct ClassScore(int ClassIndex, string ClassName, float Score);
