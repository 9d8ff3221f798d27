from otter.test_files import test_case

OK_FORMAT = False

name = "q5_scheduled_sampling"
points = 4

@test_case(points=None, hidden=False)
def test_ss_teacher_forcing(scheduled_sampling_forward, att_model, val_imgs, train_caps, torch):
    caps = train_caps[:5, 0, :-1]
    with torch.no_grad():
        a = scheduled_sampling_forward(att_model, att_model.encode(val_imgs[:5]), caps, 1.0, torch.Generator().manual_seed(0))
        b = att_model(val_imgs[:5], caps)
    assert tuple(a.shape) == tuple(b.shape)
    assert torch.allclose(a, b, atol=1e-06), 'eps=1 must be teacher forcing'

@test_case(points=None, hidden=False)
def test_schedule_values(teacher_forcing_prob, math):
    assert abs(teacher_forcing_prob(0, 'inverse_sigmoid', k=100) - 100 / 101) < 1e-12
    assert abs(teacher_forcing_prob(600, 'inverse_sigmoid', k=100) - 100 / (100 + math.exp(6))) < 1e-12
    assert abs(teacher_forcing_prob(3, 'exponential', k=0.5) - 0.125) < 1e-12
    assert abs(teacher_forcing_prob(10, 'linear', k=1.0, c=0.2, eps_min=0.1) - 0.1) < 1e-12

