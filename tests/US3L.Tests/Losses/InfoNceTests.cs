using US3L.Losses;

namespace US3L.Tests.Losses;

public class InfoNceTests
{
    [Fact]
    public void Hand_computed_example_with_two_queued_negatives()
    {
        // q = k = e₁, queue = {e₂, −e₁}: logits [1, 0, −1]/τ with the positive first.
        using var scope = torch.NewDisposeScope();
        var q = torch.tensor(new double[,] { { 2, 0 } });
        var k = torch.tensor(new double[,] { { 1, 0 } });
        var queue = torch.tensor(new double[,] { { 0, 1 }, { -1, 0 } });
        var expected = Math.Log(1 + Math.Exp(-1 / 0.07) + Math.Exp(-2 / 0.07));
        Assert.Equal(expected, InfoNce.Loss(q, k, queue).item<double>(), 12);
    }

    [Fact]
    public void Gradient_passes_a_float64_check_and_keys_and_queue_get_none()
    {
        GradCheck.Check(x => InfoNce.Loss(x[0], x[1], x[2], tau: 0.5),
            new[] { LossTestData.Randn(3, 4, 1), LossTestData.Randn(3, 4, 2), LossTestData.Randn(6, 4, 3) },
            differentiable: new[] { true, false, false });
        using var scope = torch.NewDisposeScope();
        var q = LossTestData.Randn(3, 4, 1).requires_grad_();
        var k = LossTestData.Randn(3, 4, 2).requires_grad_();
        var queue = LossTestData.Randn(6, 4, 3).requires_grad_();
        InfoNce.Loss(q, k, queue).backward();
        Assert.Null(k.grad);
        Assert.Null(queue.grad);
    }

    [Fact]
    public void Queue_is_first_in_first_out_and_wraps_around()
    {
        using var scope = torch.NewDisposeScope();
        using var queue = new KeyQueue(5, 2, new Generator(3));
        Assert.Equal(0, queue.Position);
        var keys = torch.tensor(new float[,] { { 1, 0 }, { 0, 1 }, { -1, 0 } });
        queue.Enqueue(keys);
        Assert.Equal(3, queue.Position);
        queue.Enqueue(torch.tensor(new float[,] { { 0, -3 }, { 2, 0 }, { 0, 5 } }));
        Assert.Equal(1, queue.Position);
        // Rows 3, 4 then row 0 took the second batch (normalised); rows 1, 2 still hold the first.
        var expected = new float[] { 0, 1, 0, 1, -1, 0, 0, -1, 1, 0 };
        Assert.Equal(expected, queue.Keys.ToArray<float>());
    }

    [Fact]
    public void Queue_stores_detached_keys_and_is_saved_in_the_state_dict()
    {
        using var scope = torch.NewDisposeScope();
        using var queue = new KeyQueue(4, 3);
        var k = LossTestData.Randn(2, 3, 1).@float().requires_grad_();
        queue.Enqueue(k * 2.0);
        Assert.False(queue.Keys.requires_grad);
        var state = queue.state_dict();
        Assert.Equal(new[] { "queue", "queue_ptr" }, state.Keys);
        using var restored = new KeyQueue(4, 3);
        restored.load_state_dict(state);
        Assert.Equal(2, restored.Position);
        Assert.Equal(queue.Keys.ToArray<float>(), restored.Keys.ToArray<float>());
    }

    [Fact]
    public void A_batch_larger_than_the_queue_is_rejected()
    {
        using var scope = torch.NewDisposeScope();
        using var queue = new KeyQueue(2, 3);
        var ex = Assert.Throws<ArgumentException>(() => queue.Enqueue(torch.zeros(3, 3)));
        Assert.Contains("does not fit", ex.Message);
    }
}
